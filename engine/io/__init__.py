"""Reading customer tables and writing outputs: formats, strict parsing, atomic writes."""
