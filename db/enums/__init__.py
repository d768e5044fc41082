"""Each enumeration of the service, written once: the CHECK constraints of db/tables, the
rules of db/ and the GraphQL enums of schema/ all take their values from these classes."""
