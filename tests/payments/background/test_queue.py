"""The domain queues tasks by name: every name it uses is a task that exists."""

import pytest
from django.tasks import Task
from django.utils.module_loading import import_string

from payments import queue

TASK_NAMES = [
    value for name, value in vars(queue).items() if name.isupper() and isinstance(value, str)
]


@pytest.mark.parametrize("name", TASK_NAMES)
def test_each_task_the_domain_queues_by_name_exists(name):
    task = import_string(name)
    assert isinstance(task, Task)
    assert task.module_path == name
