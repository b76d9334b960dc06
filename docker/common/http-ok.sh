#!/bin/bash
# Health check without curl: exits 0 when GET http://127.0.0.1:PORT/PATH
# answers 200 within 2 s. Usage: http-ok PORT /PATH
set -eu
exec 3<>"/dev/tcp/127.0.0.1/$1"
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
read -r -t 2 status <&3
[[ "$status" == HTTP/1.?\ 200* ]]
