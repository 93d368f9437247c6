"""Reference data shipped in the package: GB/T 4754-2017, Ningbo divisions, credit codes."""
