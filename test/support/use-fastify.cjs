// Setup of the jest project that runs the HTTP suites a second time on Fastify.
process.env.SESSION_TEST_PLATFORM = 'fastify';
