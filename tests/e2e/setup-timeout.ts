// Real servers: worker-thread cold starts and packaging take seconds, not milliseconds.
jest.setTimeout(60_000);
