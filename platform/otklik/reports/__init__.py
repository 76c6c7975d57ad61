"""Reports: XLSX with native charts and the printable information note."""
