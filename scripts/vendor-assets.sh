#!/usr/bin/env bash
# Re-vendor the front-end packages pinned in package.json into static/vendor/.
# Run by hand when upgrading; the result is committed so the portal never needs npm
# (or any third-party host) at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pin() { python3 -c "import json,sys;d=json.load(open('package.json'));print(d['dependencies'][sys.argv[1]])" "$1"; }
fetch() { (cd "$tmp" && npm pack --silent "$1@$(cd - >/dev/null && pin "$1")" >/dev/null && mkdir -p "x$2" && tar xzf ./*.tgz -C "x$2" && rm ./*.tgz); }
fetch htmx.org 1
fetch @utrecht/component-library-css 2
fetch @utrecht/design-tokens 3
out=static/vendor
rm -rf "$out" && mkdir -p "$out/htmx" "$out/utrecht"
cp "$tmp/x1/package/dist/htmx.min.js" "$out/htmx/htmx.min.js"
cp "$tmp/x1/package/LICENSE" "$out/htmx/LICENSE"
cp "$tmp/x2/package/dist/index.css" "$out/utrecht/component-library.css"
cp "$tmp/x2/package/LICENSE.md" "$out/utrecht/LICENSE.md"
cp "$tmp/x3/package/dist/theme.css" "$out/utrecht/design-tokens.css"
{
  echo "htmx.org $(pin htmx.org)"
  echo "@utrecht/component-library-css $(pin @utrecht/component-library-css)"
  echo "@utrecht/design-tokens $(pin @utrecht/design-tokens)"
} > "$out/VERSIONS"
echo "vendored into $out:"; cat "$out/VERSIONS"
