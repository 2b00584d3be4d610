"""The pure domain: no AWS, no Flask. Procedures, fees, deadlines and the application lifecycle."""
