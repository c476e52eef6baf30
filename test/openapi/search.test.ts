import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OperationIndex, type SearchDocument, stem, tokenize } from '../../src/openapi/search.js';

/** GitHub-like operations, one a line: operationId | method path | tag | summary | description. */
const corpus = `
repos/get | get /repos/{owner}/{repo} | repos | Get a repository | The parent and source objects are present when the repository is a fork.
repos/list-for-user | get /users/{username}/repos | repos | List repositories for a user | Lists public repositories for the specified user.
repos/list-for-org | get /orgs/{org}/repos | repos | List organization repositories | Lists repositories for the specified organization.
repos/list-for-authenticated-user | get /user/repos | repos | List repositories for the authenticated user | Lists repositories that the authenticated user has explicit permission to access.
repos/create-for-authenticated-user | post /user/repos | repos | Create a repository for the authenticated user | Creates a new repository for the authenticated user.
repos/delete | delete /repos/{owner}/{repo} | repos | Delete a repository | Deleting a repository requires admin access.
repos/update | patch /repos/{owner}/{repo} | repos | Update a repository | Note: To edit a repository's topics, use the Replace all repository topics endpoint.
repos/list-branches | get /repos/{owner}/{repo}/branches | repos | List branches | Lists the branches of a repository.
repos/get-branch | get /repos/{owner}/{repo}/branches/{branch} | repos | Get a branch | Gets a branch of a repository.
repos/rename-branch | post /repos/{owner}/{repo}/branches/{branch}/rename | repos | Rename a branch | Renames a branch in a repository. The authenticated user must have push access to the branch.
repos/delete-branch-protection | delete /repos/{owner}/{repo}/branches/{branch}/protection | repos | Delete branch protection | Protected branches are available in public repositories with GitHub Free.
repos/list-commits | get /repos/{owner}/{repo}/commits | repos | List commits | Signature verification object: the response includes a verification object that describes the result of verifying the commit's signature.
repos/create-release | post /repos/{owner}/{repo}/releases | repos | Create a release | Users with push access to the repository can create a release.
repos/list-releases | get /repos/{owner}/{repo}/releases | repos | List releases | This returns a list of releases, which does not include regular Git tags that have not been associated with a release.
repos/get-content | get /repos/{owner}/{repo}/contents/{path} | repos | Get repository content | Gets the contents of a file or directory in a repository.
repos/create-or-update-file-contents | put /repos/{owner}/{repo}/contents/{path} | repos | Create or update file contents | Creates a new file or replaces an existing file in a repository.
repos/list-collaborators | get /repos/{owner}/{repo}/collaborators | repos | List repository collaborators | For organization-owned repositories, the list of collaborators includes outside collaborators.
repos/create-webhook | post /repos/{owner}/{repo}/hooks | repos | Create a repository webhook | Repositories can have multiple webhooks installed.
issues/create | post /repos/{owner}/{repo}/issues | issues | Create an issue | Any user with pull access to a repository can create an issue. If issues are disabled in the repository, the API returns a 410 Gone status.
issues/get | get /repos/{owner}/{repo}/issues/{issue_number} | issues | Get an issue | The API returns a 301 Moved Permanently status if the issue was transferred to another repository.
issues/list-for-repo | get /repos/{owner}/{repo}/issues | issues | List repository issues | List issues in a repository. Only open issues will be listed.
issues/update | patch /repos/{owner}/{repo}/issues/{issue_number} | issues | Update an issue | Issue owners and users with push access can edit an issue.
issues/list-comments | get /repos/{owner}/{repo}/issues/{issue_number}/comments | issues | List issue comments | You can use the REST API to list comments on issues and pull requests. Every pull request is an issue, but not every issue is a pull request.
issues/create-comment | post /repos/{owner}/{repo}/issues/{issue_number}/comments | issues | Create an issue comment | You can use the REST API to create comments on issues and pull requests.
issues/add-labels | post /repos/{owner}/{repo}/issues/{issue_number}/labels | issues | Add labels to an issue | Adds labels to an issue.
issues/lock | put /repos/{owner}/{repo}/issues/{issue_number}/lock | issues | Lock an issue | Users with push access can lock an issue or pull request's conversation.
pulls/list | get /repos/{owner}/{repo}/pulls | pulls | List pull requests | Lists pull requests in a specified repository.
pulls/create | post /repos/{owner}/{repo}/pulls | pulls | Create a pull request | Draft pull requests are available in public repositories.
pulls/get | get /repos/{owner}/{repo}/pulls/{pull_number} | pulls | Get a pull request | Draft pull requests are available in public repositories.
pulls/merge | put /repos/{owner}/{repo}/pulls/{pull_number}/merge | pulls | Merge a pull request | Merges a pull request into the base branch.
pulls/list-review-comments | get /repos/{owner}/{repo}/pulls/{pull_number}/comments | pulls | List review comments on a pull request | Lists all review comments for a specified pull request.
pulls/request-reviewers | post /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers | pulls | Request reviewers for a pull request | Requests reviews for a pull request from a given set of users and/or teams.
git/create-ref | post /repos/{owner}/{repo}/git/refs | git | Create a reference | Creates a reference for your repository. You are unable to create new references for empty repositories, even if the commit SHA-1 hash used exists. Empty repositories are repositories without branches.
git/delete-ref | delete /repos/{owner}/{repo}/git/refs/{ref} | git | Delete a reference | Deletes the provided reference.
git/get-tree | get /repos/{owner}/{repo}/git/trees/{tree_sha} | git | Get a tree | Returns a single tree using the SHA1 value or ref name for that tree.
git/create-commit | post /repos/{owner}/{repo}/git/commits | git | Create a commit | Creates a new Git commit object.
actions/list-workflow-runs | get /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs | actions | List workflow runs for a workflow | List all workflow runs for a workflow. You can replace workflow_id with the workflow file name.
actions/list-workflow-runs-for-repo | get /repos/{owner}/{repo}/actions/runs | actions | List workflow runs for a repository | Lists all workflow runs for a repository.
actions/re-run-workflow | post /repos/{owner}/{repo}/actions/runs/{run_id}/rerun | actions | Re-run a workflow | Re-runs your workflow run using its id.
actions/get-repo-secret | get /repos/{owner}/{repo}/actions/secrets/{secret_name} | actions | Get a repository secret | Gets a single repository secret without revealing its encrypted value.
actions/create-or-update-repo-secret | put /repos/{owner}/{repo}/actions/secrets/{secret_name} | actions | Create or update a repository secret | Creates or updates a repository secret with an encrypted value.
users/get-authenticated | get /user | users | Get the authenticated user | OAuth app tokens and personal access tokens (classic) need the user scope.
users/get-by-username | get /users/{username} | users | Get a user | Provides publicly available information about someone with a GitHub account.
search/code | get /search/code | search | Search code | Searches for query terms inside of a file.
search/issues-and-pull-requests | get /search/issues | search | Search issues and pull requests | Find issues by state and keyword.
gists/create | post /gists | gists | Create a gist | Allows you to add a new gist with one or more files.
`;

const docs: SearchDocument[] = corpus
  .trim()
  .split('\n')
  .map((line, id) => {
    const [operationId, route, tag, summary, description] = line.split(' | ') as [
      string,
      string,
      string,
      string,
      string,
    ];
    const [method, path] = route.split(' ') as [string, string];
    return {
      id,
      name: operationId.replace(/[^A-Za-z0-9_-]+/g, '_'),
      operationId,
      method,
      path,
      summary,
      description,
      tags: [tag],
    };
  });

const index = OperationIndex.build(docs);
const top = (query: string, options = {}) =>
  index.search(query, options).map((hit) => docs[hit.id]!.operationId!);

describe('tokenize', () => {
  it('splits camelCase, snake_case, kebab-case and paths, lowercases and folds diacritics', () => {
    assert.deepEqual(tokenize('getHTTPResponse2Json'), ['get', 'http', 'response2', 'json']);
    assert.deepEqual(tokenize('list_for-user'), ['list', 'user']);
    assert.deepEqual(tokenize('/repos/{owner}/git/refs'), ['repo', 'owner', 'git', 'ref']);
    assert.deepEqual(tokenize('Crème Brûlée Café'), ['crem', 'brule', 'caf']);
    assert.deepEqual(tokenize('the and of a'), []);
    assert.deepEqual(tokenize('Ωmega ÖKONOMIE straße'), ['ωmega', 'okonomi', 'straß']);
    assert.deepEqual(tokenize('listAllUsers'), ['list', 'all', 'user']);
    assert.deepEqual(tokenize('XMLHttpRequest'), ['xml', 'http', 'request']);
  });

  it('stems plurals, -ing and -ed so word forms meet', () => {
    const same = (words: string[]) => assert.equal(new Set(words.map(stem)).size, 1, words.join(' '));
    same(['create', 'creates', 'created', 'creating']);
    same(['merge', 'merged', 'merges', 'merging']);
    same(['policy', 'policies']);
    same(['branch', 'branches']);
    same(['status', 'statuses']);
    same(['address', 'addresses']);
    same(['run', 'runs', 'running']);
    same(['release', 'releases', 'released']);
    assert.equal(stem('string'), 'string');
    assert.equal(stem('access'), 'access');
    assert.deepEqual(tokenize('repositories repository repos'), ['repo', 'repo', 'repo']);
  });
});

describe('OperationIndex', () => {
  const cases: Array<[string, string]> = [
    ['create an issue', 'issues/create'],
    ['merge pull request', 'pulls/merge'],
    ['list repositories of a user', 'repos/list-for-user'],
    ['workflow runs', 'actions/list-workflow-runs-for-repo'],
    ['workflow runs', 'actions/list-workflow-runs'],
    ['delete a branch ref', 'git/delete-ref'],
    ['comments on an issue', 'issues/list-comments'],
    ['add a comment to an issue', 'issues/create-comment'],
    ['create a new branch', 'git/create-ref'],
    ['get repository', 'repos/get'],
    ['rename branch', 'repos/rename-branch'],
    ['upload a file to a repo', 'repos/create-or-update-file-contents'],
    ['read file contents', 'repos/get-content'],
    ['set a secret for actions', 'actions/create-or-update-repo-secret'],
    ['who am I authenticated user', 'users/get-authenticated'],
    ['label an issue', 'issues/add-labels'],
    ['rerun failed workflow', 'actions/re-run-workflow'],
    ['publish a release', 'repos/create-release'],
    ['organization repos', 'repos/list-for-org'],
    ['ask for a review', 'pulls/request-reviewers'],
  ];
  for (const [query, expected] of cases) {
    it(`finds ${expected} in the top 3 for "${query}"`, () => {
      const found = top(query, { limit: 3 });
      assert.ok(found.includes(expected), `${query}: ${found.join(', ')}`);
    });
  }

  it('puts the best match first for clear queries', () => {
    assert.equal(top('create an issue')[0], 'issues/create');
    assert.equal(top('merge pull request')[0], 'pulls/merge');
    assert.equal(top('list repositories for a user')[0], 'repos/list-for-user');
  });

  it('ranks operations named by exactly the query terms above the rest', () => {
    assert.equal(top('get repository')[0], 'repos/get');
    assert.equal(top('repositories: get')[0], 'repos/get');
    assert.equal(top('Create issues')[0], 'issues/create');
  });

  it('matches the last word as a prefix, below whole words', () => {
    assert.ok(top('gis').includes('gists/create'));
    assert.ok(top('collab').includes('repos/list-collaborators'));
    assert.ok(top('webho')[0] === 'repos/create-webhook');
    assert.ok(top('reposit').length > 0, 'a partly typed spelled-out alias still matches');
    assert.deepEqual(top('collab comments'), top('comments'), 'only the last word is a prefix');
  });

  it('ranks an exact operationId or name first', () => {
    assert.equal(top('issues/get')[0], 'issues/get');
    assert.equal(top('ISSUES_GET')[0], 'issues/get');
    assert.equal(top('pulls/list')[0], 'pulls/list');
    const hits = index.search('issues/get');
    assert.ok(hits[0]!.score > hits[1]!.score);
  });

  it('filters by tags and methods, case-insensitively', () => {
    const found = top('create', { tags: ['Git'], limit: 50 });
    assert.deepEqual(found.sort(), ['git/create-commit', 'git/create-ref']);
    const deletes = top('repository', { methods: ['DELETE'], limit: 50 });
    assert.ok(
      deletes.length > 0 &&
        deletes.every((name) => docs.find((doc) => doc.operationId === name)?.method === 'delete'),
    );
    assert.deepEqual(top('create', { tags: ['git'], methods: ['get'] }), []);
    assert.deepEqual(top('create', { tags: ['nope'] }), []);
    assert.equal(top('issues/create', { tags: ['pulls'] })[0], 'pulls/create');
  });

  it('returns results sorted by score, ties by id, within the limit', () => {
    const hits = index.search('list', { limit: 100 });
    for (let i = 1; i < hits.length; i++) {
      const [a, b] = [hits[i - 1]!, hits[i]!];
      assert.ok(a.score > b.score || (a.score === b.score && a.id < b.id));
    }
    assert.equal(index.search('list', { limit: 2 }).length, 2);
    assert.deepEqual(index.search('list', { limit: 0 }), []);
    const same = OperationIndex.build([
      { id: 7, name: 'b', method: 'get', path: '/thing', tags: [] },
      { id: 3, name: 'a', method: 'get', path: '/thing', tags: [] },
    ]);
    assert.deepEqual(
      same.search('thing').map((hit) => hit.id),
      [3, 7],
    );
  });

  it('returns [] for empty, stop-word-only and unknown queries', () => {
    assert.deepEqual(index.search(''), []);
    assert.deepEqual(index.search('   '), []);
    assert.deepEqual(index.search('the of and a'), []);
    assert.deepEqual(index.search('!!! ???'), []);
    assert.deepEqual(index.search('zzyzx'), []);
    assert.deepEqual(OperationIndex.build([]).search('anything'), []);
  });

  it('round-trips through JSON with identical results', () => {
    const json = JSON.parse(JSON.stringify(index.toJSON()));
    const copy = OperationIndex.fromJSON(json);
    for (const query of [...cases.map(([q]) => q), 'issues/get', 'gis', 'repo']) {
      assert.deepEqual(copy.search(query, { limit: 20 }), index.search(query, { limit: 20 }));
    }
    assert.deepEqual(copy.search('create', { tags: ['git'] }), index.search('create', { tags: ['git'] }));
    assert.equal(copy.byteSize(), index.byteSize());
    assert.ok(Object.values(json).every((value) => typeof value !== 'object' || Array.isArray(value)));
  });

  it('rejects a JSON form that does not fit', () => {
    const json = index.toJSON();
    assert.throws(() => OperationIndex.fromJSON(null), /unusable/);
    assert.throws(() => OperationIndex.fromJSON({ ...json, version: 99 }), /unusable/);
    assert.throws(() => OperationIndex.fromJSON({ ...json, postingWeights: [] }), /unusable/);
    assert.throws(() => OperationIndex.fromJSON({ ...json, terms: 'x' }), /unusable/);
  });

  it('reports a plausible size', () => {
    assert.ok(index.byteSize() > 1000 && index.byteSize() < 100_000, String(index.byteSize()));
  });

  it('rejects ids that do not fit', () => {
    assert.throws(
      () => OperationIndex.build([{ id: -1, name: 'x', method: 'get', path: '/', tags: [] }]),
      RangeError,
    );
  });
});
