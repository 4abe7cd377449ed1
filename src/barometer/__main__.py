from barometer.cli import main

main()
