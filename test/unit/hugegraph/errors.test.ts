import { HgbrError } from '../../../functions/errors';
import {
  errorFromResponse,
  HugeGraphAlreadyExistsError,
  HugeGraphBadRequestError,
  HugeGraphBusyError,
  HugeGraphForbiddenError,
  HugeGraphHttpError,
  HugeGraphNotFoundError,
  HugeGraphServerError,
  HugeGraphTaskFailedError,
  HugeGraphUnauthorizedError,
  parseErrorBody,
} from '../../../functions/hugegraph/errors';

const req = { method: 'POST', path: '/graphs/hugegraph/schema/propertykeys' };
const body = (exception: string, message: string): string => JSON.stringify({ exception: `class ${exception}`, message, cause: '' });

describe('errorFromResponse', () => {
  it.each([
    [404, body('org.apache.hugegraph.exception.NotFoundException', "vertex label with name 'nope' does not exist"), HugeGraphNotFoundError],
    [400, body('org.apache.hugegraph.exception.ExistedException', "The property key 'age' has existed"), HugeGraphAlreadyExistsError],
    [400, body('java.lang.IllegalArgumentException', "The vertex label 'x' has existed"), HugeGraphAlreadyExistsError],
    [400, body('java.lang.IllegalArgumentException', 'Invalid vertex id'), HugeGraphBadRequestError],
    [400, body('java.lang.IllegalArgumentException', "Undefined vertex label: 'nope'"), HugeGraphNotFoundError],
    [400, body('java.lang.IllegalArgumentException', "Undefined edge label: 'nope'"), HugeGraphNotFoundError],
    [400, body('org.apache.hugegraph.HugeException', 'The rest server is too busy to write'), HugeGraphBusyError],
    [401, body('jakarta.ws.rs.NotAuthorizedException', 'Authentication credentials are required'), HugeGraphUnauthorizedError],
    [403, body('jakarta.ws.rs.ForbiddenException', 'HTTP 403 Forbidden'), HugeGraphForbiddenError],
    [503, body('jakarta.ws.rs.ServiceUnavailableException', 'The server is too busy to process the request'), HugeGraphBusyError],
    [500, body('java.lang.IllegalStateException', 'boom'), HugeGraphServerError],
    [502, '<html>Bad Gateway</html>', HugeGraphServerError],
    // 1.7.0 answers a missing graph or graphspace with this NPE instead of a 404.
    [500, body('java.lang.NullPointerException', 'Cannot invoke "Object.getClass()" because "graph" is null'), HugeGraphNotFoundError],
    [500, body('java.lang.NullPointerException', 'x is null'), HugeGraphServerError],
  ])('maps %i %s', (status, text, type) => {
    const err = errorFromResponse(status, req, text);
    expect(err).toBeInstanceOf(type);
    expect(err).toBeInstanceOf(HugeGraphHttpError);
    expect(err).toBeInstanceOf(HgbrError);
    expect(err.status).toBe(status);
    expect(err.method).toBe('POST');
    expect(err.path).toBe(req.path);
    expect(err.name).toBe(err.code);
  });

  it('carries the server exception class and message', () => {
    const err = errorFromResponse(404, req, body('org.apache.hugegraph.exception.NotFoundException', "vertex label with name 'nope' does not exist"));
    expect(err).toMatchObject({
      code: HugeGraphNotFoundError.code,
      exception: 'class org.apache.hugegraph.exception.NotFoundException',
      serverMessage: "vertex label with name 'nope' does not exist",
    });
    expect(err.message).toBe(`HugeGraph POST ${req.path} failed with 404: vertex label with name 'nope' does not exist`);
    expect(err.hint).toBeTruthy();
  });

  it('keeps an unknown 4xx as a plain HTTP error', () => {
    const err = errorFromResponse(415, req, '');
    expect(err.constructor).toBe(HugeGraphHttpError);
    expect(err.code).toBe('HugeGraphHttpError');
  });
});

describe('parseErrorBody', () => {
  it('reads JSON bodies and falls back to the raw text', () => {
    expect(parseErrorBody('{"exception":"class X","message":"m","cause":"","id":1208794584776818688}')).toEqual({ exception: 'class X', message: 'm' });
    expect(parseErrorBody('plain text')).toEqual({ message: 'plain text' });
    expect(parseErrorBody('{truncated')).toEqual({ message: '{truncated' });
    expect(parseErrorBody('')).toEqual({});
    expect(parseErrorBody('x'.repeat(2000)).message).toHaveLength(501);
  });
});

describe('HugeGraphTaskFailedError', () => {
  it('reports the task status and result', () => {
    const err = new HugeGraphTaskFailedError(7, 'failed', 'java.lang.Exception: oops', 'rebuild_index');
    expect(err.message).toBe('HugeGraph task 7 (rebuild_index) ended failed: java.lang.Exception: oops');
    expect(err.name).toBe('HugeGraphTaskFailedError');
  });
});
