import { TEST_ENV } from '../helpers/test-config';

Object.assign(process.env, TEST_ENV);
