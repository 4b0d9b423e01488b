"""Users' servers on a Docker Swarm: KaggleSwarmSpawner and the service specs and task
states it works with."""
