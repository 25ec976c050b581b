#!/usr/bin/env bash
# Checks the companion Commerce module in magento-module/ without Magento (which cannot run here):
# installs Debian's php-cli and phpunit when they are missing, lints every PHP file with `php -l`,
# checks that every XML and JSON file is well-formed, then runs the module's framework-free PHPUnit tests.
# Quiet on success; prints what failed and exits non-zero otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
module=magento-module
log=$(mktemp)
trap 'rm -f "$log"' EXIT

fail() {
    echo "check-php: $*" >&2
    exit 1
}

install_php() {
    local apt=(apt-get -o DPkg::Lock::Timeout=300 -y -qq --no-install-recommends)
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || fail "php/phpunit are missing and installing them needs root (apt-get install php-cli php-xml phpunit)"
        apt=(sudo "${apt[@]}")
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! "${apt[@]}" install php-cli php-xml phpunit >"$log" 2>&1; then
        # The package lists may be missing or stale: refresh them once and try again.
        if ! { "${apt[@]}" update && "${apt[@]}" install php-cli php-xml phpunit; } >"$log" 2>&1; then
            cat "$log" >&2
            fail "could not install php-cli, php-xml and phpunit with apt-get"
        fi
    fi
}

if ! command -v php >/dev/null || ! command -v phpunit >/dev/null || ! php -r 'exit(class_exists("DOMDocument") ? 0 : 1);'; then
    install_php
fi

[ -d "$module" ] || fail "$module/ not found"

# 1. Syntax of every PHP file.
errors=0
while IFS= read -r -d '' file; do
    if ! php -d log_errors=0 -l "$file" >"$log" 2>&1; then
        cat "$log" >&2
        errors=$((errors + 1))
    fi
done < <(find "$module" -name '*.php' -print0 | sort -z)
[ "$errors" -eq 0 ] || fail "$errors PHP file(s) with syntax errors"

# 2. Well-formedness of every XML file (module configuration, the PHPUnit configuration).
while IFS= read -r -d '' file; do
    if ! php -r '
        libxml_use_internal_errors(true);
        $doc = new DOMDocument();
        if (!$doc->load($argv[1])) {
            foreach (libxml_get_errors() as $e) {
                fprintf(STDERR, "%s:%d: %s\n", $argv[1], $e->line, trim($e->message));
            }
            exit(1);
        }' "$file"; then
        errors=$((errors + 1))
    fi
done < <(find "$module" \( -name '*.xml' -o -name '*.xml.dist' \) -print0 | sort -z)
[ "$errors" -eq 0 ] || fail "$errors XML file(s) not well-formed"

# 3. Well-formedness of every JSON file (composer.json, db_schema_whitelist.json).
while IFS= read -r -d '' file; do
    if ! php -r '
        json_decode((string) file_get_contents($argv[1]), false, 512, JSON_THROW_ON_ERROR);' "$file" 2>"$log"; then
        echo "$file: $(grep -o "JsonException: [^ ].*" "$log" | head -1)" >&2
        errors=$((errors + 1))
    fi
done < <(find "$module" -name '*.json' -print0 | sort -z)
[ "$errors" -eq 0 ] || fail "$errors JSON file(s) not valid"

# 4. The framework-free unit tests.
if ! phpunit --configuration "$module/phpunit.xml.dist" --colors=never >"$log" 2>&1; then
    cat "$log" >&2
    fail "PHPUnit failed"
fi
