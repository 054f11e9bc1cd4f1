from aiprov.cli import main

main()
