"""Settings, database, units, text normalisation and errors shared by every domain."""
