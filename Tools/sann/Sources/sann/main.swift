import SANNCLI

SANN.main()
