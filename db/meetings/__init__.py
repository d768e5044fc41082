"""Voter meetings (tiếp xúc cử tri): a delegate group's meetings with voters for a session, the
concerns recorded there in bulk (petitions with source VOTER_MEETING), similar petitions and the
merging of duplicates, and each session's consolidated petition report."""
