package config

import (
	"encoding/json"
	"fmt"
	"os"
)

type Config struct {
	Name  string `json:"name"`
	Debug bool   `json:"debug"`
}

func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Config) String() string {
	return fmt.Sprintf("%s (debug %v)", c.Name, c.Debug)
}
