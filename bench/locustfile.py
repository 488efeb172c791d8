"""The Monday-morning surge (`make bench-surge`): reporters log in, open their inbox, submit reports.

Run by bench/surge.py, which writes the reporters and their open tasks to LUOSHI_SURGE_PLAN and
checks the database afterwards. Every reporter logs in first (a barrier waits for all of them, so
the password hashing of 300 logins is measured apart), then loops: inbox, submit the next report.
"""

import json
import os
import threading
import time

from locust import FastHttpUser, between, events, task

PLAN = json.loads(open(os.environ["LUOSHI_SURGE_PLAN"]).read())  # noqa: SIM115
PASSWORD = "Luoshi@2026"  # noqa: S105  (generated benchmark accounts only)
SUCCESSES = os.environ["LUOSHI_SURGE_LOG"]
_lock = threading.Lock()
_next = [0]
_logged_in = [0]
_all_in = threading.Event()


def _claim():
    with _lock:
        index = _next[0]
        _next[0] += 1
    return PLAN["reporters"][index % len(PLAN["reporters"])]


class Reporter(FastHttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        plan = _claim()
        self.tasks_left = list(plan["tasks"])
        self.log = open(SUCCESSES, "a")  # noqa: SIM115
        if plan.get("token"):  # issued ahead by surge.py --logged-in
            self.token = plan["token"]
        else:
            response = self.client.post(
                "/api/v1/auth/token", json={"username": plan["username"], "password": PASSWORD}, name="login"
            )
            self.token = response.json()["token"]
        with _lock:
            _logged_in[0] += 1
            if _logged_in[0] >= len(PLAN["reporters"]):
                _all_in.set()
        _all_in.wait(timeout=PLAN["login_timeout"])

    @task
    def inbox_and_submit(self):
        if not self.tasks_left:
            time.sleep(1)
            return
        headers = {"Authorization": f"Bearer {self.token}"}
        self.client.get("/api/v1/notifications?page_size=20", headers=headers, name="inbox")
        task_id = self.tasks_left.pop(0)
        with self.client.post(
            f"/api/v1/tasks/{task_id}/reports",
            data={"value": "1", "narrative": "本周按计划推进，完成阶段性工作。", "submit": "true"},
            headers=headers,
            name="submit",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                body = response.json()
                self.log.write(f"{time.time():.3f} {body['id']} {task_id}\n")
                self.log.flush()
                response.success()
            else:
                response.failure(f"{response.status_code} {response.text[:200]}")


@events.quitting.add_listener
def _close(environment, **_kwargs):
    pass
