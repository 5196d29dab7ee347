#!/bin/sh
# Installs the axe-core pinned in package-lock.json and copies the script the
# browser tests inject, with its licences, beside this file. Run it after
# changing the version in package.json (then `npm install` first to refresh
# the lock), and commit the copied files: the tests never need npm.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

cd "$here"
npm ci --no-audit --no-fund

cp node_modules/axe-core/axe.min.js axe.min.js
cp node_modules/axe-core/LICENSE axe.LICENSE
cp node_modules/axe-core/LICENSE-3RD-PARTY.txt axe.LICENSE-3RD-PARTY.txt
rm -rf node_modules

echo "updated $here"
