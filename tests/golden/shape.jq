# tests/golden/shape.jq — the shape of a JSON document: one line
# "PATH<TAB>TYPE" per leaf (a scalar, null, or an empty array or object),
# array indices folded to [], sorted and unique. Two documents of the same
# contract have the same shape whatever their times, ids and counts. Read
# by tests/golden/shape.sh.
[paths(type != "object" and type != "array" or length == 0) as $p
  | ($p | map(if type == "number" then "[]" else . end) | join(".")) as $k
  | getpath($p) as $v
  | "\($k)\t\($v | if type == "array" then "array" elif type == "object"
                   then "object" else type end)"]
| unique | .[]
