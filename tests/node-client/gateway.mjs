// Cross-language check: the official OpenAI and Anthropic SDKs, unmodified except for baseURL and
// apiKey, work against the broker's gateway (which forwards to the simulated upstream).
//
//   GATEWAY_URL=http://127.0.0.1:5081 OPENAI_KEY=cbk_... ANTHROPIC_KEY=cbk_... \
//   BUDGET_KEY=cbk_... REVOKED_KEY=cbk_... node gateway.mjs
//
// OPENAI_KEY and BUDGET_KEY are keys for an OpenAI-kind provider (OPENAI_KEY limited to the models
// gpt-4o-mini and text-embedding-3-small), ANTHROPIC_KEY for an Anthropic-kind one; BUDGET_KEY's credential has a budget a few calls exhaust; REVOKED_KEY is a
// revoked key. Exits 0 when every step behaved as documented, 1 (with the failing step) otherwise.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

class FlowError extends Error {}

let currentStep = '(start)';

function fail(message) {
  throw new FlowError(message);
}

function assert(condition, message) {
  if (!condition) {
    fail(message);
  }
}

function assertEqual(actual, expected, what) {
  assert(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function env(name) {
  const value = process.env[name];
  if (!value) {
    fail(`environment variable ${name} is required`);
  }
  return value;
}

async function step(name, action) {
  currentStep = name;
  const detail = await action();
  console.log(`ok   ${name}${detail ? ` (${detail})` : ''}`);
}

/** The simulator's output for K tokens. */
function simText(tokens) {
  return Array.from({ length: tokens }, (_, i) => `sim${i}`).join(' ');
}

/** Runs `call`, expecting it to throw an instance of `type`; returns the error. */
async function expectError(type, call, what) {
  try {
    await call();
  } catch (error) {
    assert(error instanceof type, `${what}: expected ${type.name}, got ${error?.constructor?.name}: ${error?.message}`);
    return error;
  }
  fail(`${what}: expected ${type.name}, but the call succeeded`);
}

async function main() {
  const gatewayUrl = env('GATEWAY_URL').replace(/\/+$/, '');
  const openai = new OpenAI({ baseURL: `${gatewayUrl}/openai/v1`, apiKey: env('OPENAI_KEY'), maxRetries: 0 });
  // The Anthropic SDK appends /v1/messages itself.
  const anthropic = new Anthropic({ baseURL: `${gatewayUrl}/anthropic`, apiKey: env('ANTHROPIC_KEY'), maxRetries: 0 });
  const budgetKey = env('BUDGET_KEY');
  const revokedKey = env('REVOKED_KEY');

  // "Say hello to the gateway" is 5 words + 3 for the message: 8 input tokens.
  const messages = [{ role: 'user', content: 'Say hello to the gateway' }];

  await step('openai chat.completions.create', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 5 });
    assertEqual(completion.choices[0]?.message?.content, simText(5), 'content');
    assertEqual(completion.usage?.prompt_tokens, 8, 'usage.prompt_tokens');
    assertEqual(completion.usage?.completion_tokens, 5, 'usage.completion_tokens');
    return `${completion.usage.prompt_tokens} in, ${completion.usage.completion_tokens} out`;
  });

  await step('openai chat.completions.create stream', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini', messages, max_tokens: 4, stream: true, stream_options: { include_usage: true },
    });
    let content = '';
    let usage = null;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta?.content ?? '';
      usage = chunk.usage ?? usage;
    }
    assertEqual(content, simText(4), 'streamed content');
    assert(usage !== null, 'no usage chunk although stream_options.include_usage was true');
    assertEqual(usage.prompt_tokens, 8, 'stream usage.prompt_tokens');
    assertEqual(usage.completion_tokens, 4, 'stream usage.completion_tokens');
    return `${content.split(' ').length} tokens streamed`;
  });

  await step('openai responses.create', async () => {
    const response = await openai.responses.create({ model: 'gpt-4o-mini', input: 'Say hello to the gateway', max_output_tokens: 16 });
    assertEqual(response.output_text, simText(16), 'output_text');
    // A string input is not a message: 5 words, no per-message overhead.
    assertEqual(response.usage?.input_tokens, 5, 'usage.input_tokens');
    assertEqual(response.usage?.output_tokens, 16, 'usage.output_tokens');
    return `${response.usage.input_tokens} in, ${response.usage.output_tokens} out`;
  });

  await step('openai embeddings.create', async () => {
    const embedding = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['first text', 'second one'] });
    assertEqual(embedding.data.length, 2, 'number of embeddings');
    for (const item of embedding.data) {
      assert(Array.isArray(item.embedding) && item.embedding.length === 8, `embedding ${item.index}: expected 8 floats, got ${JSON.stringify(item.embedding)}`);
    }
    assertEqual(embedding.usage?.prompt_tokens, 4, 'usage.prompt_tokens');
    return `${embedding.data.length} vectors`;
  });

  await step('openai models.list', async () => {
    const ids = [];
    for await (const model of openai.models.list()) {
      ids.push(model.id);
    }
    // OPENAI_KEY is issued for exactly these two; its purpose also allows gpt-4.1, which must not be listed.
    const expected = ['gpt-4o-mini', 'text-embedding-3-small'];
    assertEqual(JSON.stringify(ids.sort()), JSON.stringify(expected), 'listed models');
    return ids.join(', ');
  });

  await step('anthropic messages.create', async () => {
    const message = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 6, messages });
    assertEqual(message.content[0]?.type, 'text', 'content[0].type');
    assertEqual(message.content[0]?.text, simText(6), 'content[0].text');
    assertEqual(message.stop_reason, 'end_turn', 'stop_reason');
    assertEqual(message.usage?.input_tokens, 8, 'usage.input_tokens');
    assertEqual(message.usage?.output_tokens, 6, 'usage.output_tokens');
    return `${message.usage.input_tokens} in, ${message.usage.output_tokens} out`;
  });

  await step('anthropic messages.stream', async () => {
    const stream = anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 7, messages });
    let text = '';
    stream.on('text', (delta) => { text += delta; });
    const final = await stream.finalMessage();
    assertEqual(text, simText(7), 'streamed text');
    assertEqual(final.content[0]?.text, simText(7), 'final message text');
    assertEqual(final.usage?.input_tokens, 8, 'final usage.input_tokens');
    assertEqual(final.usage?.output_tokens, 7, 'final usage.output_tokens');
    return `${final.usage.output_tokens} tokens streamed`;
  });

  await step('anthropic messages.create stream: true', async () => {
    const stream = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 3, messages, stream: true });
    let text = '';
    let inputTokens = null;
    let outputTokens = null;
    for await (const event of stream) {
      if (event.type === 'message_start') {
        inputTokens = event.message.usage.input_tokens;
      } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        text += event.delta.text;
      } else if (event.type === 'message_delta') {
        outputTokens = event.usage.output_tokens;
      }
    }
    assertEqual(text, simText(3), 'streamed text');
    assertEqual(inputTokens, 8, 'message_start usage.input_tokens');
    assertEqual(outputTokens, 3, 'message_delta usage.output_tokens');
  });

  await step('anthropic messages.countTokens', async () => {
    const count = await anthropic.messages.countTokens({ model: 'claude-sonnet-4-5', messages });
    assertEqual(count.input_tokens, 8, 'input_tokens');
    return `${count.input_tokens} tokens`;
  });

  await step('budget exhausted: 429 RateLimitError', async () => {
    const client = new OpenAI({ baseURL: `${gatewayUrl}/openai/v1`, apiKey: budgetKey, maxRetries: 0 });
    for (let call = 1; call <= 20; call++) {
      try {
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }], max_tokens: 50 });
      } catch (error) {
        assert(error instanceof OpenAI.RateLimitError, `call ${call}: expected RateLimitError, got ${error?.constructor?.name}: ${error?.message}`);
        assertEqual(error.status, 429, 'status');
        assert(error.message.includes('Budget exhausted'), `call ${call}: message does not mention "Budget exhausted": ${error.message}`);
        assertEqual(error.code, 'budget_exceeded', 'error.code');
        assertEqual(error.headers?.get('x-should-retry'), 'false', 'x-should-retry header');
        return `refused on call ${call}`;
      }
    }
    fail('20 calls succeeded; the budget was never enforced');
  });

  await step('revoked key: 401 AuthenticationError', async () => {
    const openaiRevoked = new OpenAI({ baseURL: `${gatewayUrl}/openai/v1`, apiKey: revokedKey, maxRetries: 0 });
    const error = await expectError(
      OpenAI.AuthenticationError,
      () => openaiRevoked.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 5 }),
      'chat with a revoked key');
    assertEqual(error.status, 401, 'status');
    assert(/revoked/i.test(error.message), `message does not mention "revoked": ${error.message}`);
    assertEqual(error.code, 'key_revoked', 'error.code');
  });

  console.log('PASS gateway sdk flow');
}

try {
  await main();
} catch (error) {
  const reason = error instanceof FlowError ? error.message : (error?.stack ?? String(error));
  console.error(`FAIL at step "${currentStep}": ${reason}`);
  process.exitCode = 1;
}
