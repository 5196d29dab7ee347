#!/bin/sh
# Installs the front-end packages pinned in package-lock.json and copies the
# files Padlock embeds into internal/web/assets/vendor. Run it after changing
# a version in package.json (then `npm install` first to refresh the lock),
# and commit the copied files: the Go build never needs npm.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
vendor="$here/../../internal/web/assets/vendor"

cd "$here"
npm ci --no-audit --no-fund

mkdir -p "$vendor"
cp node_modules/@picocss/pico/css/pico.min.css "$vendor/pico.min.css"
cp node_modules/@picocss/pico/LICENSE.md "$vendor/pico.LICENSE.md"
cp node_modules/bootstrap-icons/bootstrap-icons.svg "$vendor/bootstrap-icons.svg"
cp node_modules/bootstrap-icons/LICENSE "$vendor/bootstrap-icons.LICENSE"

echo "updated $(cd "$vendor" && pwd)"
