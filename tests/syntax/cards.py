"""Cards shared by the front-end tests."""

PRELUDE = """scorecard t {
  title "test"
}
input {
  id     : string key
  age    : int
  income : float
  city   : string
  gender : string sensitive
  joined : date
  vip    : bool
}
"""

PRELUDE_LINES = PRELUDE.count("\n")
