# Flattens the YAML subset used by cloud-init files into "path<TAB>value" lines.
# Paths join map keys and list indexes with dots: runcmd.0, write_files.1.content, ethernets.eth0.dhcp4.
# Values escape backslash, newline and tab (decode with printf '%b').
# Supported: block maps and lists (also lists at their key's indent), "- key: v" list items,
# flow lists [a, "b"], flow maps { k: v }, quoted scalars, block scalars | |- > >-, comments.
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
function unquote(s) {
  s = trim(s)
  if (s ~ /^".*"$/) { s = substr(s, 2, length(s) - 2); gsub(/\\"/, "\"", s); gsub(/\\n/, "\n", s); return s }
  if (s ~ /^'.*'$/) { s = substr(s, 2, length(s) - 2); gsub(/''/, "'", s); return s }
  sub(/[ \t]+#.*$/, "", s)
  return s
}
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/\n/, "\\n", s); gsub(/\t/, "\\t", s); return s }
function join(a, b) { return a == "" ? b : a "." b }
function emit(path, val) { printf "%s\t%s\n", path, esc(val) }
# Splits a flow collection body on commas outside quotes into parts[1..n].
function splitflow(s, parts,   n, i, c, q, cur) {
  n = 0; q = ""; cur = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (q != "") { cur = cur c; if (c == q) q = ""; continue }
    if (c == "\"" || c == "'") { q = c; cur = cur c; continue }
    if (c == ",") { parts[++n] = cur; cur = ""; continue }
    cur = cur c
  }
  if (trim(cur) != "") parts[++n] = cur
  return n
}
function value(path, v,   parts, n, i, k) {
  v = trim(v)
  if (v ~ /^\[.*\]$/) {
    n = splitflow(substr(v, 2, length(v) - 2), parts)
    for (i = 1; i <= n; i++) emit(path "." (i - 1), unquote(parts[i]))
    if (n == 0) emit(path, "")
    return
  }
  if (v ~ /^\{.*\}$/) {
    n = splitflow(substr(v, 2, length(v) - 2), parts)
    for (i = 1; i <= n; i++) {
      k = index(parts[i], ":")
      if (k) emit(join(path, unquote(substr(parts[i], 1, k - 1))), unquote(substr(parts[i], k + 1)))
    }
    return
  }
  emit(path, unquote(v))
}
function push(ind, path, type) { top++; sind[top] = ind; spath[top] = path; stype[top] = type; scount[top] = 0 }
function endblock(   s) {
  s = blk
  if (blkstyle ~ /^>/) { gsub(/\n/, " ", s) }
  if (blkstyle ~ /-$/) { sub(/\n+$/, "", s) } else { sub(/\n+$/, "", s); s = s "\n" }
  emit(blkpath, s)
  inblock = 0
}
# A "key: value" or "key:" at indent ind.
function mapentry(ind, s,   k, key, rest) {
  k = index(s, ":")
  key = unquote(substr(s, 1, k - 1)); rest = trim(substr(s, k + 1))
  while (top > 0 && sind[top] >= ind) top--
  if (rest == "") { push(ind, join(spath[top], key), "map"); return }
  if (rest ~ /^[|>][-+]?$/) { inblock = 1; blk = ""; blkind = -1; blkparent = ind; blkstyle = rest; blkpath = join(spath[top], key); return }
  value(join(spath[top], key), rest)
}
BEGIN { top = 0; sind[0] = -1; spath[0] = ""; stype[0] = "map"; inblock = 0 }
{
  line = $0; sub(/\r$/, "", line)
  if (inblock) {
    match(line, /^ */); li = RLENGTH
    if (line ~ /^[ \t]*$/) { blk = blk "\n"; next }
    if (li > blkparent) {
      if (blkind < 0) blkind = li
      blk = blk substr(line, blkind + 1) "\n"
      next
    }
    endblock()
  }
  if (line ~ /^[ \t]*#/ || line ~ /^[ \t]*$/ || line ~ /^---/) next
  match(line, /^ */); li = RLENGTH; s = substr(line, li + 1)
  if (s ~ /^-( |$)/) {
    while (top > 0 && (sind[top] > li || (sind[top] == li && stype[top] == "item"))) top--
    idx = scount[top]++
    item = join(spath[top], idx)
    rest = substr(s, 2); match(rest, /^ */); off = RLENGTH; rest = substr(rest, off + 1)
    if (rest ~ /^[^"'\[{][^:]*:( |$)/) { push(li, item, "item"); mapentry(li + 1 + off, rest); next }
    if (rest == "") { push(li, item, "item"); next }
    value(item, rest)
    next
  }
  if (index(s, ":")) mapentry(li, s)
}
END { if (inblock) endblock() }
