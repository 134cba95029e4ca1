from lurewatch.cli import main

main()
