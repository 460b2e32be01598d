"""Cross-cutting pieces that know no domain model: table downloads with formula escaping, and
the guards that keep records from ever being deleted."""
