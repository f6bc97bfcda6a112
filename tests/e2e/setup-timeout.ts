// Real servers: worker-thread cold starts and packaging take seconds; on a busy machine, many.
jest.setTimeout(300_000);
