FROM python:3.11-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["gunicorn", "idkarr.wsgi", "--bind", "0.0.0.0:8000"]
