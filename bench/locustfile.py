# Locust scenario for the throughput benchmark: FastHttpUser, no think time, GET /.
from locust import FastHttpUser, constant, task


class Bench(FastHttpUser):
    wait_time = constant(0)

    @task
    def root(self):
        self.client.get("/")
