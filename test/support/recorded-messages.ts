import type { Message, MessageType, Notify } from '../../functions/workflow/messages';

/** A sink that keeps every message, for tests that assert on codes and data, never on wording. */
export class RecordedMessages {
  readonly messages: Message[] = [];
  readonly notify: Notify = (message) => {
    this.messages.push(message);
  };

  codes(): string[] {
    return this.messages.map((m) => m.code);
  }

  /** The data of every message of one type, in order. */
  dataOf<D>(type: MessageType<D>): D[] {
    return this.messages.filter((m) => type.is(m)).map((m) => m.data as D);
  }
}
