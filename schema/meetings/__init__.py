"""Voter meetings (tiếp xúc cử tri) in GraphQL: types, inputs, queries and mutations, the
fields they add to Petition and Delegate, and the session's consolidated petition report.
Kept free of imports: schema.petitions and schema.council import its field mixins."""
