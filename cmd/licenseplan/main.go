package main

import (
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/simpleforce/simpleforce"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/viper"
	_ "go.yaml.in/yaml/v3"
)

func main() {}
