" Used by tests/editors/test_vim_syntax.py: for every word start of the buffer, its line,
" column, text and syntax group, written to $DUMP_OUT.
let s:out = []
for l in range(1, line('$'))
  let text = getline(l)
  let c = 0
  while 1
    let m = matchstrpos(text, '\v[A-Za-z_][A-Za-z0-9_]*|[0-9][-0-9T:.eE]*|"|`|-\>|[<>=!]+', c)
    if m[1] < 0 | break | endif
    call add(s:out, l . "\t" . (m[1] + 1) . "\t" . m[0] . "\t" . synIDattr(synID(l, m[1] + 1, 1), "name"))
    let c = m[2]
  endwhile
endfor
call writefile(s:out, $DUMP_OUT)
