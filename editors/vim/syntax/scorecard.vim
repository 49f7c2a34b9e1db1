" Vim syntax file
" Language:    Scorecard (the scorecard engine's cards, *.scorecard)
" Maintainer:  the scorecard project
" The keywords are those of grammar/scorecard.lark (tests/editors/test_vim_syntax.py checks
" them). Types are soft keywords: highlighted only after `:`, so a column may be `date`.

if exists("b:current_syntax")
  finish
endif

syn case match
setlocal iskeyword=@,48-57,_,192-255

syn keyword scorecardStatement   scorecard input param let exclude rule bins model classes reasons outcome example
syn keyword scorecardConditional if then else when otherwise
syn keyword scorecardOperatorWord and or not in is
syn keyword scorecardClause      on sklearn features output probability prediction sha256 highest lowest below event high means more fewer events given expect
syn keyword scorecardModifier    key required sensitive
syn keyword scorecardConstant    true false missing inf
syn keyword scorecardResult      points class excluded

" `score` and `segment` start statements at the start of a line; elsewhere they are results.
syn match scorecardResult    "\<\(score\|segment\)\>"
syn match scorecardResult    "\<reason_\d\+\>"
syn match scorecardStatement "^\s*\zssegment\>"
syn match scorecardStatement "^\s*\zsscore\ze\s*="

" `reasons K below max`: `max` is a clause there, and the function before `(`.
syn match scorecardClause    "\(\<below\s\+\)\@<=max\>"

" Header lines: a key, then a string (a column may be named version).
syn match scorecardMeta "^\s*\zs\(title\|version\|owner\|description\)\ze\s*\""

" Types: only after a colon.
syn match scorecardType ":\s*\zs\(int\|float\|string\|bool\|datetime\|date\)\>"

" The name a statement declares.
syn match scorecardDeclared "\(\<\(scorecard\|param\|let\|rule\|bins\|model\)\s\+\)\@<=\(\h\w*\|`\([^`]\|``\)\+`\)"

syn match scorecardFunction "\<\(abs\|min\|max\|clip\|round\|floor\|ceil\|ln\|log10\|exp\|sqrt\|pow\|coalesce\|days_between\|year\|month\|day\|lower\|upper\|length\|contains\|starts_with\|ends_with\|logit\|sigmoid\)\ze\s*("

syn match scorecardNumber   "\<\d\+\>"
syn match scorecardFloat    "\<\d\+\.\d*\([eE][+-]\=\d\+\)\=\|\.\d\+\([eE][+-]\=\d\+\)\=\|\<\d\+[eE][+-]\=\d\+\>"
syn match scorecardDate     "\<\d\{4}-\d\{2}-\d\{2}\>"
syn match scorecardDateTime "\<\d\{4}-\d\{2}-\d\{2}T\d\{2}:\d\{2}\(:\d\{2}\(\.\d\{1,6}\)\=\)\="

syn match scorecardArrow    "->"
syn match scorecardOperator "!=\|<=\|>=\|[<>=+*/]\|-\(>\)\@!"

syn match  scorecardQuotedName "`\([^`]\|``\)\+`"
syn match  scorecardEscape     "\\." contained
syn region scorecardString     start=+"+ skip=+\\\\\|\\"+ end=+"\|$+ contains=scorecardEscape oneline
syn keyword scorecardTodo      TODO FIXME XXX contained
syn match  scorecardComment    "#.*$" contains=scorecardTodo,@Spell

syn region scorecardBlock start="{" end="}" transparent fold

hi def link scorecardStatement    Statement
hi def link scorecardConditional  Conditional
hi def link scorecardOperatorWord Operator
hi def link scorecardClause       Keyword
hi def link scorecardModifier     StorageClass
hi def link scorecardConstant     Constant
hi def link scorecardResult       Special
hi def link scorecardMeta         Label
hi def link scorecardType         Type
hi def link scorecardDeclared     Identifier
hi def link scorecardFunction     Function
hi def link scorecardNumber       Number
hi def link scorecardFloat        Float
hi def link scorecardDate         Number
hi def link scorecardDateTime     Number
hi def link scorecardArrow        Operator
hi def link scorecardOperator     Operator
hi def link scorecardQuotedName   Identifier
hi def link scorecardEscape       SpecialChar
hi def link scorecardString       String
hi def link scorecardTodo         Todo
hi def link scorecardComment      Comment

let b:current_syntax = "scorecard"
