/** One inline button: label and callback data (`v1:<action>:<id>`). */
export interface Button {
  text: string;
  data: string;
}

/** A rendered message: Telegram HTML plus rows of inline buttons. */
export interface Rendered {
  html: string;
  buttons: Button[][];
}
