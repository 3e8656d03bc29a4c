from netgov.cli import main

main()
