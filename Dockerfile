# SpaceWatch image: a release build on the Rust image, run from a slim Debian one as an
# unprivileged user. Used by docker-compose.yml (`docker compose up --build`).

FROM rust:1.95-bookworm AS build
WORKDIR /src
# Benches and examples are declared by Cargo.toml, so cargo wants them present to build.
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY benches ./benches
COPY examples ./examples
RUN cargo build --release --locked --bin spacewatch

FROM debian:bookworm-slim
# ca-certificates: the Spaces endpoints and OTLP collectors are reached over TLS.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /home/spacewatch --uid 10001 spacewatch
COPY --from=build /src/target/release/spacewatch /usr/local/bin/spacewatch
USER spacewatch
# The demo store and `.env` live in the working directory.
WORKDIR /home/spacewatch
EXPOSE 8000
ENTRYPOINT ["spacewatch", "serve", "--host", "0.0.0.0"]
