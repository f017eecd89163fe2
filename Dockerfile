# Redoubt: one static binary for data nodes (redoubt server / redis-server),
# sentinels (redoubt sentinel / redis-sentinel) and redis-check-rdb.
#
#   docker build -t redoubt .
#   docker run -p 6379:6379 redoubt                      # a data node
#   docker run -p 26379:26379 -v $PWD/s1:/data redoubt sentinel /data/sentinel.conf
#
# See docs/sentinel.md for a three-node layout.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/usr/local/bin/redoubt ./cmd/redoubt \
 && ln -s redoubt /out/usr/local/bin/redis-server \
 && ln -s redoubt /out/usr/local/bin/redis-sentinel \
 && ln -s redoubt /out/usr/local/bin/redis-check-rdb \
 && mkdir -p /out/data \
 && touch /out/data/sentinel.conf

# distroless/static: no shell, no libc, CA certificates and tzdata only.
# It runs as root so that bind-mounted host directories (data, a
# sentinel.conf the sentinel rewrites) are writable without uid juggling.
FROM gcr.io/distroless/static-debian12
COPY --from=build /out/ /
WORKDIR /data
VOLUME /data
EXPOSE 6379 26379
ENTRYPOINT ["redoubt"]
CMD ["server"]
