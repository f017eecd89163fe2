package server

import (
	"io"
	"log/slog"
)

func discardLogger() *slog.Logger { return slog.New(NewHandler(io.Discard, LevelWarning, 'M')) }
