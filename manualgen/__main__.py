from manualgen.cli import main

main()
