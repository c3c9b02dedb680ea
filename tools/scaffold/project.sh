#!/usr/bin/env bash
# Creates the Nx project files for a lib or app: tools/scaffold/project.sh <dir> <name> <type-tag> <scope-tag>
set -euo pipefail
dir=$1 name=$2 type=$3 scope=$4
mkdir -p "$dir/src"
depth=$(echo "$dir" | awk -F/ '{print NF}')
up=$(printf '../%.0s' $(seq 1 "$depth"))
cat > "$dir/project.json" <<J
{
  "name": "$name",
  "\$schema": "${up}node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "$([ "$type" = app ] && echo application || echo library)",
  "tags": ["type:$type", "scope:$scope"],
  "targets": { "lint": {}, "typecheck": {}, "test": {}, "int": {} }
}
J
cat > "$dir/tsconfig.json" <<J
{
  "extends": "${up}tsconfig.base.json",
  "compilerOptions": { "incremental": true, "tsBuildInfoFile": "${up}dist/.tsbuildinfo/$name.tsbuildinfo" },
  "include": ["src/**/*.ts", "test/**/*.ts"]
}
J
cat > "$dir/jest.config.cjs" <<J
module.exports = require('${up}jest.preset.cjs').jestConfig(__dirname, 'unit');
J
cat > "$dir/jest.int.config.cjs" <<J
module.exports = require('${up}jest.preset.cjs').jestConfig(__dirname, 'int');
J
[ -f "$dir/src/index.ts" ] || [ "$type" = app ] || echo "export {};" > "$dir/src/index.ts"
