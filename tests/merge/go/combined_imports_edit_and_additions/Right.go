package config

import (
	"encoding/json"
	"os"
	"strings"
)

type Config struct {
	Name  string `json:"name"`
	Debug bool   `json:"debug"`
}

func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

func FromEnv() *Config {
	return &Config{Name: os.Getenv("APP_NAME"), Debug: strings.EqualFold(os.Getenv("APP_DEBUG"), "true")}
}
