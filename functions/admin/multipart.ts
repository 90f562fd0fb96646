/** The one multipart/form-data reader the console needs: a round file upload and a few fields. */

export interface FormPart {
  name: string;
  filename?: string;
  content: Buffer;
}

export class MalformedFormError extends Error {
  override readonly name = 'MalformedFormError';
}

export function boundaryOf(contentType: string): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let start = body.indexOf(delimiter);
  if (start < 0) throw new MalformedFormError('No multipart boundary in the body');
  while (start >= 0) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, afterDelimiter);
    if (next < 0) break;
    const chunk = body.subarray(afterDelimiter + 2, next - 2); // skip CRLF after delimiter, before next
    const headerEnd = chunk.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw new MalformedFormError('A part without headers');
    const headers = chunk.subarray(0, headerEnd).toString('utf8');
    const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined) parts.push({ name, filename, content: chunk.subarray(headerEnd + 4) });
    start = next;
  }
  return parts;
}
