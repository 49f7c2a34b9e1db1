" Scorecard files: comments start with #; `gq` and `=` leave layout to `scorecard fmt`.
if exists("b:did_ftplugin")
  finish
endif
let b:did_ftplugin = 1
setlocal commentstring=#\ %s comments=:#
setlocal formatoptions-=t
setlocal foldmethod=syntax
let b:undo_ftplugin = "setlocal commentstring< comments< formatoptions< foldmethod<"
