FROM python:3.11-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir -e . \
 && pybabel compile -D messages -d locales \
 && pybabel compile -D answers -d locales
ENV DATABASE_URL=sqlite:///var/wegwijzer.sqlite3
CMD ["sh", "-c", "wegwijzer db upgrade && wegwijzer run"]
