" Scorecard files: the engine's cards (.scorecard).
autocmd BufRead,BufNewFile *.scorecard setfiletype scorecard
