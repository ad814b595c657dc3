#!/usr/bin/env bash
# Installs what Scripts/check-reports.sh needs when it is missing: headless Chromium and its WebDriver
# (Debian chromium, chromium-driver), pdftotext (poppler-utils), CJK and emoji fonts, and a Python virtual environment with
# selenium and axe-selenium-python (which ships axe-core's axe.min.js) at .build/report-check-venv.
# Prints the venv's python on stdout (last line).
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/lib/deps.sh
deps_ensure "Chromium" "command -v chromium" chromium
deps_ensure "ChromeDriver" "command -v chromedriver" chromium-driver
deps_ensure "pdftotext" "command -v pdftotext" poppler-utils
# Fonts for the wide glyphs a reader's device draws (the wide-glyphs test report's CJK and emoji names): without
# them Chromium draws narrow empty boxes and the measured label widths say nothing.
deps_ensure "a CJK font" "fc-list :lang=ja | grep -q ." fonts-wqy-microhei
deps_ensure "an emoji font" "fc-list | grep -qi 'color emoji'" fonts-noto-color-emoji
deps_ensure "Python venv" "python3 -c 'import venv, ensurepip'" python3-venv
venv=.build/report-check-venv
if ! "$venv/bin/python" -c "import selenium, axe_selenium_python" >/dev/null 2>&1; then
  echo "strata: installing selenium and axe-selenium-python into $venv" >&2
  python3 -m venv "$venv"
  if ! "$venv/bin/pip" install -q selenium axe-selenium-python >&2; then
    echo "strata: 'pip install selenium axe-selenium-python' failed (see above); run it by hand:" >&2
    echo "  $venv/bin/pip install selenium axe-selenium-python" >&2
    exit 1
  fi
fi
echo "$venv/bin/python"
