"""The read model: the only place a tournament's state becomes something to show.

Pages, the JSON API and the live boards all present these views, so they say the same thing in the
same words. `matches` holds a stage's matches and standings (one decoded state, one numbering, one
vocabulary of match states); `final` the call list, the podium and the seeding report; `overview`
a tournament's page; `desk` the qualifier desk and the reports to settle; `player` a player's own
space; `audit` a match's history; `board` the JSON the live boards receive.
"""
