from citetui.cli import main

main()
