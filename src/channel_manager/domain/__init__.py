"""The order domain: pure Python, importing nothing outside itself."""
